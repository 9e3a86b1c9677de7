#!/bin/sh
# Installs everything ZooKeeper Lab needs and builds it.
#   sh scripts/setup.sh          npm packages + build (enough to run the lab)
#   sh scripts/setup.sh --test   also the Debian packages the tests use as judges
#                                (zookeeper, zkCli.sh, Curator, kazoo, a JDK, chromium)
set -e
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--test" ]; then
  sh scripts/install-debian-deps.sh
fi

# Native modules (better-sqlite3, node-pty) build from source with node-gyp when no prebuilt
# binary can be fetched. The Electron binary comes from GitHub: it is fetched separately below
# so that a machine without access to it still gets a working install (browser mode).
echo "ZooKeeper Lab setup: installing npm packages..."
ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install --no-audit --no-fund

if [ -f node_modules/electron/path.txt ] && [ -e "node_modules/electron/dist/$(cat node_modules/electron/path.txt)" ]; then
  echo "ZooKeeper Lab setup: the Electron binary is present."
elif [ "${ZK_LAB_SKIP_ELECTRON:-}" = "1" ]; then
  echo "ZooKeeper Lab setup: skipping the Electron download (ZK_LAB_SKIP_ELECTRON=1); the lab will open in your browser."
else
  echo "ZooKeeper Lab setup: downloading the Electron binary..."
  if (cd node_modules/electron && timeout 300 node install.js) >/tmp/zk-lab-electron-install.log 2>&1; then
    echo "ZooKeeper Lab setup: Electron installed; 'npm start' opens the desktop app."
  else
    echo "ZooKeeper Lab setup: the Electron binary could not be downloaded (see /tmp/zk-lab-electron-install.log)."
    echo "ZooKeeper Lab setup: that is fine: 'npm start' will open the lab in your browser instead."
  fi
fi

echo "ZooKeeper Lab setup: building..."
npm run build
echo "ZooKeeper Lab setup: done."
