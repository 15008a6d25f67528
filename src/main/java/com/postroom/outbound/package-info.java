/**
 * Mail going out: the one sending core (SendingCore) with its sender policy, the durable outbox, delivery over
 * SMTP with retries, the suppression list, the outbound health, and the original send routes. Uses store
 * (messages, threads), audit, cluster, config, mail, org, policy and api.
 */
@NullMarked
package com.postroom.outbound;

import org.jspecify.annotations.NullMarked;
