/**
 * The public contact form (/api/contact): its submissions, the per-visitor limit, and the mail to SUPPORT_EMAIL.
 * Uses config, mail, org, outbound (to send) and api.
 */
@NullMarked
package com.postroom.contact;

import org.jspecify.annotations.NullMarked;
