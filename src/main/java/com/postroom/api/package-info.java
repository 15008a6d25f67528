/**
 * The JSON API's one error shape and its handler: every refusal ({@link com.postroom.problem.Problem}, or an
 * {@link com.postroom.api.ApiException} that names its HTTP status) leaves as {@code {"detail": "..."}} with its
 * status, Tomcat's own errors too, and nothing unexpected shows a stack trace; {@link com.postroom.api.Idempotency}
 * replays the first answer to a request repeated with its Idempotency-Key. Uses problem.
 */
@NullMarked
package com.postroom.api;

import org.jspecify.annotations.NullMarked;
