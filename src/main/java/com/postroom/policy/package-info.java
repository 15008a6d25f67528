/**
 * The original API's policy decision ({@link com.postroom.policy.Decision}: ALLOW, WARN, REQUIRE_CONFIRMATION or
 * BLOCK, with rule ids and reasons), which sending, ingest and the deletion guard all return. A value type on the
 * ground floor: it uses nothing of Postroom.
 */
@NullMarked
package com.postroom.policy;

import org.jspecify.annotations.NullMarked;
