/**
 * Mustachio, Postmark's template language (a Mustache dialect): parsed with the line and column of every error,
 * rendered from a JSON model, escaped where the output is HTML. Used by the Postmark API's templates and by the
 * statement templates an organization edits; uses nothing of Postroom.
 */
@NullMarked
package com.postroom.template;

import org.jspecify.annotations.NullMarked;
