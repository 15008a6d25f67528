/**
 * Postmark's webhooks (optional), handled: inbound mail into the same ingest (PostmarkInbound), delivery, bounce and
 * complaint events onto outbound messages (PostmarkEvents); the routes are in compat. Uses inbound, mime, store,
 * outbound, config, org and api.
 */
@NullMarked
package com.postroom.postmark;

import org.jspecify.annotations.NullMarked;
