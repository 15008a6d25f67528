/**
 * Organizations, users, tokens and who is calling (Caller): sign-in, the platform's JWTs and session cookie,
 * both security filter chains, and the first start's bootstrap. Uses config, mail and api.
 */
@NullMarked
package com.postroom.org;

import org.jspecify.annotations.NullMarked;
