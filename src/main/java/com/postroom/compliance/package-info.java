/**
 * Legal holds, retention policies and the guard that decides whether a message may be deleted (DeletionGuard).
 * Uses audit, org, policy (the decision) and api.
 */
@NullMarked
package com.postroom.compliance;

import org.jspecify.annotations.NullMarked;
