# Sourced by the benchmarks that start Postroom: the JVM options it is deployed with, the JDK_JAVA_OPTIONS of
# deploy/Dockerfile and deploy/postroom.service (DeployConfigTest keeps the three the same), so a benchmark measures
# Postroom as it runs in production. POSTROOM_JIT=default runs the JVM's default tiered JIT instead (C1 and C2).
# shellcheck shell=bash
DEPLOY_JVM_OPTIONS="-XX:TieredStopAtLevel=1"
if [ "${POSTROOM_JIT:-deploy}" = default ]; then
  DEPLOY_JVM_OPTIONS=""
fi
