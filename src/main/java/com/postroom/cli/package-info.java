/**
 * The command line (`java -jar postroom.jar doctor|token ...`): runs the doctor or makes an API token without
 * the web server. Uses config, mail, org and deliverability.
 */
@NullMarked
package com.postroom.cli;

import org.jspecify.annotations.NullMarked;
