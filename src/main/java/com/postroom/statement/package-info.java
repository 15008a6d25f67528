/**
 * Patient statements: each kind's wording as the organization edits it (StatementTemplates, in Mustachio, with its
 * page under Statements), rendering and sending them from BILLING_FROM_EMAIL. Uses outbound, org, template, web,
 * config and api.
 */
@NullMarked
package com.postroom.statement;

import org.jspecify.annotations.NullMarked;
