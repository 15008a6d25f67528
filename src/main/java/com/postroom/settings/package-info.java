/**
 * The admin's settings page: mailboxes, users and roles, API tokens, labels, Postmark server tokens and the webhook
 * events that did not arrive. Uses inbound (mailboxes), mailbox and store (labels), postmarkapi, org, web, api, mail
 * and config.
 */
@NullMarked
package com.postroom.settings;

import org.jspecify.annotations.NullMarked;
