/**
 * Postmark's own API served by Postroom, so applications written against Postmark (its official clients, their
 * webhook handlers) send through the organization's mail server with only the base URL and token changed: servers
 * and their tokens (PostmarkServers), the sending endpoints (SendingApi), Postmark's error shape and codes
 * (PostmarkError). Every message goes through the one sending core, outbox and suppression list. Uses outbound, mail,
 * org, config and api.
 */
@NullMarked
package com.postroom.postmarkapi;

import org.jspecify.annotations.NullMarked;
