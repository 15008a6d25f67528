/**
 * Every setting Postroom reads, validated once at start-up (PostroomSettings, Env, the secret key, the trusted-
 * proxy valve). Sits on the ground floor: uses mail (addresses, servers, secrets) and problem, nothing above.
 */
@NullMarked
package com.postroom.config;

import org.jspecify.annotations.NullMarked;
