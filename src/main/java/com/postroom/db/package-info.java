/**
 * The database: the embedded PostgreSQL when DATABASE_URL is unset, and the data source. Uses config.
 */
@NullMarked
package com.postroom.db;

import org.jspecify.annotations.NullMarked;
