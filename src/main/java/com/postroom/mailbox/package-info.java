/**
 * The mailbox as people use it: the web UI's pages (list, conversation, compose, downloads), the native API
 * (/api/mail), labels, changes, safe HTML. Uses store, search, mime, outbound (to
 * send), compliance (deletion), audit, org, web, api, mail, config and postmarkapi (the servers whose mail's text
 * search does not look in).
 */
@NullMarked
package com.postroom.mailbox;

import org.jspecify.annotations.NullMarked;
