@echo off
rem ZooKeeper Lab from a shell: bin\zk-lab command [arguments] [--dir path] [--json]
rem The Windows twin of bin/zk-lab (a POSIX shell script): the same program, run by Node.
if not exist "%~dp0..\dist\lab\cli\main.js" (
  echo zk-lab: ZooKeeper Lab is not built yet; run "npm run setup" in %~dp0.. first. 1>&2
  exit /b 1
)
node "%~dp0..\dist\lab\cli\main.js" %*
