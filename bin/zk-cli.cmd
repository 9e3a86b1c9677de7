@echo off
rem ZooKeeper Lab's zkCli-compatible shell: bin\zk-cli [-server host:port[,host:port...]] [command args]
rem The Windows twin of bin/zk-cli (a POSIX shell script): the same program, run by Node.
if not exist "%~dp0..\dist\client\shell\main.js" (
  echo zk-cli: ZooKeeper Lab is not built yet; run "npm run setup" in %~dp0.. first. 1>&2
  exit /b 1
)
node "%~dp0..\dist\client\shell\main.js" %*
