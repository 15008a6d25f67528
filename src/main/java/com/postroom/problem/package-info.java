/**
 * The ground floor of errors: {@link com.postroom.problem.Problem}, what services throw when they cannot do what
 * they were asked (not found, refused with a reason, locked, ...). It depends on nothing of Postroom and nothing of
 * HTTP; the JSON API's handler and the web UI's error pages map each kind to a status.
 */
@NullMarked
package com.postroom.problem;

import org.jspecify.annotations.NullMarked;
