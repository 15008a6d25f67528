/**
 * The original API's routes, kept working for the platform's callers (ORIGINAL-API.md): /api/email/send and the
 * outbound status, the founder's and comms' sends and notify, the mailbox's read and change routes, the founder
 * dashboard's reads, poll-inbound and quarantine, Postmark's webhooks, the contact form and the drafting assistant.
 * Each controller takes the original's request shapes and answers its field names and status codes, and calls the
 * feature that does the work (outbound, mailbox, founder, inbound, postmark, contact). Nothing depends on compat, so
 * the native API and the features can change without touching the contract.
 */
@NullMarked
package com.postroom.compat;

import org.jspecify.annotations.NullMarked;
