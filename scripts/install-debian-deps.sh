#!/bin/sh
# Installs the Debian packages the tests use as independent judges, when missing:
# real ZooKeeper 3.8 (server, zkCli.sh, jars), Curator, kazoo, the ZooKeeper C client and a C
# compiler to build its judge, a JDK (the Curator and lock judges compile Java), Chromium for
# e2e, tmux. Under CI=true a test whose judge is missing fails (test/support/needs.ts).
set -e
PKGS="zookeeper zookeeper-bin libcurator-framework-java libcurator-recipes-java python3-kazoo python3-pytest python3-mock python3-objgraph default-jre-headless default-jdk-headless libjetty9-java libzookeeper-mt-dev gcc libc6-dev chromium tmux python3"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "Debian packages: all present."
  exit 0
fi
echo "Debian packages: installing$missing"
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
