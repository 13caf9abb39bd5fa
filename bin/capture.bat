@echo off
rem pycapture's counterpart of Pcap4J's capture.bat, which ran the GetNextPacketEx sample: capture a
rem few packets with that sample's defaults and print each layer by layer (-v, the sample's dump), then
rem the statistics. Arguments are passed on (a BPF filter, -w FILE, --backend NAME...).
rem   set "COUNT=5" & set "READ_TIMEOUT=10" & set "SNAPLEN=65536" & set "IFACE=auto" & bin\capture.bat [options] [filter]
rem (typed at a cmd prompt: the quotes keep the space before each & out of the value). In the Windows
rem container it is in C:\pycapture\bin: docker run --rm --entrypoint cmd IMAGE /c bin\capture.bat
rem Needs Npcap on the host. Inside a Windows container no capture driver can load, so this ends with
rem one line saying so, exit status 1; read a saved capture there instead: pycapture -r captures\mixed.pcap -v
setlocal
if not defined COUNT set COUNT=5
if not defined READ_TIMEOUT set READ_TIMEOUT=10
if not defined SNAPLEN set SNAPLEN=65536
if not defined IFACE set IFACE=auto
set PYCAPTURE=pycapture
if exist "%~dp0..\.venv\Scripts\pycapture.exe" set PYCAPTURE="%~dp0..\.venv\Scripts\pycapture.exe"
%PYCAPTURE% --if "%IFACE%" -c %COUNT% --timeout-ms %READ_TIMEOUT% -s %SNAPLEN% -v %*
exit /b %ERRORLEVEL%
