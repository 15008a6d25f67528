/**
 * The mailbox as people use it: the web UI's pages (list, conversation, compose, downloads), the native API
 * (/api/mail), labels, changes, safe HTML. Uses store, search, mime, outbound (to
 * send), compliance (deletion), audit, org, web, api, mail and config.
 */
@NullMarked
package com.postroom.mailbox;

import org.jspecify.annotations.NullMarked;
