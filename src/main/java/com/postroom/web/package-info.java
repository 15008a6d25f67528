/**
 * The server-rendered web UI's frame: the sign-in page, the layout's model, the marker of page controllers
 * ({@link com.postroom.web.WebPage}) and their error pages. The pages themselves live with their features (mailbox,
 * founder, deliverability, settings). Uses org, problem and api.
 */
@NullMarked
package com.postroom.web;

import org.jspecify.annotations.NullMarked;
