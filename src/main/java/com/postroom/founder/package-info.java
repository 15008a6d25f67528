/**
 * The founder's dashboard: its API (/api/founder/email) and page. Reads the mail of the organization; uses
 * deliverability, inbound and outbound (health), mail, org, store, web and api.
 */
@NullMarked
package com.postroom.founder;

import org.jspecify.annotations.NullMarked;
