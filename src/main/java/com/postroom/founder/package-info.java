/**
 * The founder's dashboard: what it shows (FounderMail: unread, needing a response, failed deliveries, tracking) and
 * its page; the original /api/founder/email routes that read it are in compat. Uses deliverability, inbound and
 * outbound (health), mail, org, search (the month keys of addresses), store, web and api.
 */
@NullMarked
package com.postroom.founder;

import org.jspecify.annotations.NullMarked;
