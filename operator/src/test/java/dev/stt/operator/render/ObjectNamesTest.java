package dev.stt.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ObjectNamesTest {
  private static final String LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  private static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";
  private static final String SERVICE = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

  @Test
  void shortNamesAreKeptReadable() {
    assertThat(ObjectNames.workerPod("sts", 3)).isEqualTo("sts-worker-3");
    assertThat(ObjectNames.rendezvousService("sts")).isEqualTo("sts-workers");
    assertThat(ObjectNames.configMap("sts")).isEqualTo("sts-config");
    assertThat(ObjectNames.labelValue("sts")).isEqualTo("sts");
  }

  @Test
  void longAndDottedNamesStayValidAndDistinct() {
    String longName = "a".repeat(200) + ".b" + "-c".repeat(20);
    String other = "a".repeat(200) + ".b" + "-d".repeat(20);
    for (String name : new String[] {longName, other, "x".repeat(253), "1st.run.v2"}) {
      assertThat(ObjectNames.workerPod(name, 63)).hasSizeLessThanOrEqualTo(63).matches(LABEL);
      assertThat(ObjectNames.rendezvousService(name)).hasSizeLessThanOrEqualTo(63).matches(SERVICE);
      assertThat(ObjectNames.labelValue(name)).hasSizeLessThanOrEqualTo(63).matches(LABEL_VALUE);
      assertThat(ObjectNames.configMap(name)).hasSizeLessThanOrEqualTo(253);
    }
    assertThat(ObjectNames.workerPod(longName, 0)).isNotEqualTo(ObjectNames.workerPod(other, 0));
    assertThat(ObjectNames.labelValue(longName)).isNotEqualTo(ObjectNames.labelValue(other));
    assertThat(ObjectNames.rendezvousService("1st.run.v2")).startsWith("w1st-run-v2-").endsWith("-workers")
        .isNotEqualTo(ObjectNames.rendezvousService("1st-run-v2"))
        .isNotEqualTo(ObjectNames.rendezvousService("w1st-run-v2"));
    assertThat(ObjectNames.workerPod("team.a", 0)).isNotEqualTo(ObjectNames.workerPod("team-a", 0));
    assertThat(ObjectNames.event("x".repeat(253), "0123456789ab")).hasSizeLessThanOrEqualTo(253);
  }
}
