/**
 * The sandbox mail server of a fresh install (GreenMail on loopback), its mailboxes kept on disk, and the choice
 * between it and the configured servers (MailEndpoints). Contributes through configuration: only wiring uses it.
 * Uses config and mail.
 */
@NullMarked
package com.postroom.sandbox;

import org.jspecify.annotations.NullMarked;
