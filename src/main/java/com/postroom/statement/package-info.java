/**
 * Patient statements: rendering the templates and sending them from BILLING_FROM_EMAIL. Uses outbound, org,
 * config and api.
 */
@NullMarked
package com.postroom.statement;

import org.jspecify.annotations.NullMarked;
