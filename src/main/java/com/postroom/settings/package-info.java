/**
 * The admin's settings page: mailboxes, users and roles, API tokens, labels. Uses inbound (mailboxes), mailbox and
 * store (labels), org, web, api, mail and config.
 */
@NullMarked
package com.postroom.settings;

import org.jspecify.annotations.NullMarked;
