/**
 * Postmark's webhooks (optional): inbound mail into the same ingest, delivery, bounce and complaint events onto
 * outbound messages. Uses inbound, mime, store, outbound, config, org and api.
 */
@NullMarked
package com.postroom.postmark;

import org.jspecify.annotations.NullMarked;
