/**
 * Who did what to which mail, and when: the append-only audit log (AuditLog) and its API. Used by every room
 * that reads or changes mail on a person's behalf; it uses org (the caller) and api (errors).
 */
@NullMarked
package com.postroom.audit;

import org.jspecify.annotations.NullMarked;
