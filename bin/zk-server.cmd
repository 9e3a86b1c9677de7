@echo off
rem Runs one ZooKeeper Lab server member in the foreground: bin\zk-server path\to\zoo.cfg
rem The Windows twin of bin/zk-server (a POSIX shell script): the same program, run by Node.
if not exist "%~dp0..\dist\server\main.js" (
  echo zk-server: ZooKeeper Lab is not built yet; run "npm run setup" in %~dp0.. first. 1>&2
  exit /b 1
)
node "%~dp0..\dist\server\main.js" %*
