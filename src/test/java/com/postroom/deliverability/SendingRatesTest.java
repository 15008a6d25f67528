package com.postroom.deliverability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rates' verdicts at Gmail's complaint thresholds (0.1% warn, 0.3% alarm) and Postroom's bounce ones. */
class SendingRatesTest {

    @Test
    void complaintAndBounceRatesAreJudgedAtTheirThresholds() {
        assertThat(SendingRates.judge(new SendingRates.Rates(50, 10, 5)).status()).as("too few to judge")
                .isEqualTo(Status.OK);
        assertThat(SendingRates.judge(new SendingRates.Rates(10_000, 50, 5)).status()).isEqualTo(Status.OK);
        assertThat(SendingRates.judge(new SendingRates.Rates(10_000, 50, 11)).status()).isEqualTo(Status.WARNING);
        Check alarm = SendingRates.judge(new SendingRates.Rates(10_000, 50, 30));
        assertThat(alarm.status()).isEqualTo(Status.INVALID);
        assertThat(alarm.message()).contains("0.30% marked as spam", "Gmail");
        assertThat(SendingRates.judge(new SendingRates.Rates(1_000, 21, 0)).status()).isEqualTo(Status.WARNING);
        assertThat(SendingRates.judge(new SendingRates.Rates(1_000, 50, 0)).status()).isEqualTo(Status.INVALID);
        assertThat(SendingRates.Rates.percent(0.0012)).isEqualTo("0.12%");
        assertThat(SendingRates.Rates.percent(0.034)).isEqualTo("3.4%");
    }
}
