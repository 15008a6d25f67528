/**
 * The admin's settings page: mailboxes, users and roles, API tokens. Uses inbound (mailboxes), org, web, api,
 * mail and config.
 */
@NullMarked
package com.postroom.settings;

import org.jspecify.annotations.NullMarked;
