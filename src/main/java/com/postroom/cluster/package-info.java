/**
 * Several instances on one database: each instance's id and heartbeat (Instance), and the rule for taking over
 * work an instance left behind. Uses nothing of Postroom.
 */
@NullMarked
package com.postroom.cluster;

import org.jspecify.annotations.NullMarked;
