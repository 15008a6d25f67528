/**
 * The public contact form's submissions (ContactSubmissions) and the per-visitor limit they enforce; the route
 * (/api/contact) is in compat. Uses nothing but the database.
 */
@NullMarked
package com.postroom.contact;

import org.jspecify.annotations.NullMarked;
