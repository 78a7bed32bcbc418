; Latchkey's Windows installer: per user, no administrator (as GitHub Desktop's and
; Bruno's). One script for every build: Debian's makensis from Linux (`make
; package-windows`, the Wine checks in `make test`) and NSIS on a Windows runner (the
; release workflow). Tauri's bundler is not used for it: on Linux it downloads a plugin
; from GitHub, and its template needs that plugin (docs/releasing.md says more).
;
; makensis -DVERSION=0.1.0 -DSOURCE=DIR -DOUTFILE=FILE -DICON=FILE installer.nsi
;   SOURCE holds latchkey-desktop.exe, latchkey-tray.exe and latchkey.exe (and, for a
;   MinGW build, WebView2Loader.dll, which the msvc build links in).
;
; Installed: the three programs in %LOCALAPPDATA%\Programs\Latchkey, that folder on the
; user's PATH (a new terminal finds `latchkey`), latchkey:// opening the app, a Start-menu
; entry, the tray from login (the Run key, switched off and on from the tray's menu and
; the app's Settings) and started now, and an Apps & features entry. Installing over an
; earlier version stops its tray with `latchkey-tray --quit` (a renewal in flight is
; stored first) and starts the new one; profiles, sign-ins and settings stay. Removing
; keeps the person's servers and sign-ins unless they tick the box (a silent uninstall
; keeps them).
;
; Flags: /S silent; /D=DIR the folder (last, unquoted); /NOWEBVIEW2 do not fetch the
; WebView2 runtime where it is missing (the Wine checks, an offline PC).

Unicode true
Target amd64-unicode
RequestExecutionLevel user
; Releases are packed small (solid LZMA); the test run's debug build fast (-DFAST_PACK).
!ifdef FAST_PACK
  SetCompressor zlib
!else
  SetCompressor /SOLID lzma
!endif
ManifestDPIAware true
ManifestSupportedOS all

!ifndef VERSION
  !error "VERSION is not defined (-DVERSION=x.y.z)"
!endif
!ifndef SOURCE
  !error "SOURCE is not defined (-DSOURCE=folder with the three programs)"
!endif
!ifndef OUTFILE
  !define OUTFILE "Latchkey_${VERSION}_x64-setup.exe"
!endif

!define PRODUCT "Latchkey"
!define PUBLISHER "Latchkey contributors"
!define APP "latchkey-desktop.exe"
!define TRAY "latchkey-tray.exe"
!define CLI "latchkey.exe"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${PRODUCT}"
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define SCHEMEKEY "Software\Classes\latchkey"
!define WEBVIEW2GUID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2BOOTSTRAPPER "https://go.microsoft.com/fwlink/p/?LinkId=2124703"

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include WordFunc.nsh
!include WinMessages.nsh
!include nsDialogs.nsh

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
BrandingText "${PRODUCT} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "LegalCopyright" "MIT OR Apache-2.0"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
; The welcome and finish pages' picture (beside this script: makensis works in its
; folder): the icon on Latchkey's blue (made from
; icons/128x128@2x.png with ImageMagick; BMP, as NSIS takes).
!define MUI_WELCOMEFINISHPAGE_BITMAP "wizard.bmp"
!define MUI_UNWELCOMEFINISHPAGE_BITMAP "wizard.bmp"
; What the uninstaller did stays on screen (a program still running is said there).
!define MUI_UNFINISHPAGE_NOAUTOCLOSE
!define MUI_WELCOMEPAGE_TEXT "Latchkey signs you in to your research data servers and keeps your tokens fresh, so uploads and scripts never stop on an expired one.$\r$\n$\r$\nIt installs for you alone (no administrator needed), in your own programs folder. Your servers and sign-ins from an earlier version are kept."
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP}"
!define MUI_FINISHPAGE_RUN_TEXT "Open Latchkey"

Var Upgrade         ; 1 when installing over an earlier version
Var KeepData        ; uninstall: 1 keeps the person's servers and sign-ins
Var ForgetBox       ; uninstall: the "Also remove" checkbox

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

UninstPage custom un.ForgetPage un.ForgetPageLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

; --- shared steps -------------------------------------------------------------------

; Stop a running tray the way its menu's Quit does (a renewal in flight is stored
; first); it waits until the tray is gone. Nothing else is stopped: a window or a
; `latchkey exec` job keeps running on the old program (see ReplaceProgram).
!macro StopTray
  ${If} ${FileExists} "$INSTDIR\${TRAY}"
    DetailPrint "Stopping Latchkey's tray (it stores any renewal in flight first)…"
    nsExec::ExecToLog '"$INSTDIR\${TRAY}" --quit'
    Pop $0
  ${EndIf}
!macroend

; A program in use (an open window, a long `latchkey exec`) cannot be overwritten but can
; be renamed: the old one keeps running from X.old and goes at the next install.
!macro ReplaceProgram NAME
  Delete "$INSTDIR\${NAME}.old"
  ${If} ${FileExists} "$INSTDIR\${NAME}"
    Delete "$INSTDIR\${NAME}"
    ${If} ${FileExists} "$INSTDIR\${NAME}"
      Rename "$INSTDIR\${NAME}" "$INSTDIR\${NAME}.old"
    ${EndIf}
  ${EndIf}
  File "${SOURCE}\${NAME}"
!macroend

; Tell running programs (Explorer, new terminals) that the environment changed.
!macro BroadcastEnvironment
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
!macroend

; --- install ------------------------------------------------------------------------

Function .onInit
  StrCpy $Upgrade 0
  ReadRegStr $0 HKCU "${UNINSTKEY}" "InstallLocation"
  ${If} $0 != ""
    StrCpy $Upgrade 1
    ; Over an earlier version: the same folder (unless /D= names another).
    ${GetOptions} $CMDLINE "/D=" $1
    ${If} ${Errors}
      StrCpy $INSTDIR $0
    ${EndIf}
  ${EndIf}
FunctionEnd

Section "Latchkey" Main
  SetShellVarContext current
  !insertmacro StopTray
  SetOutPath "$INSTDIR"
  !insertmacro ReplaceProgram "${APP}"
  !insertmacro ReplaceProgram "${TRAY}"
  !insertmacro ReplaceProgram "${CLI}"
  !if /FileExists "${SOURCE}\WebView2Loader.dll"
    File "${SOURCE}\WebView2Loader.dll"
  !endif
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; Apps & features.
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" '"$INSTDIR\${APP}",0'
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "$0"

  ; latchkey:// opens the installed app (a build elsewhere no longer registers itself).
  WriteRegStr HKCU "${SCHEMEKEY}" "" "URL:Latchkey sign-in"
  WriteRegStr HKCU "${SCHEMEKEY}" "URL Protocol" ""
  WriteRegStr HKCU "${SCHEMEKEY}\DefaultIcon" "" '"$INSTDIR\${APP}",0'
  WriteRegStr HKCU "${SCHEMEKEY}\shell\open\command" "" '"$INSTDIR\${APP}" "%1"'

  ; Start menu.
  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${APP}" "" "$INSTDIR\${APP}" 0 SW_SHOWNORMAL "" "Sign in to research data servers and keep tokens fresh"

  ; The tray from login: on a first install; over an earlier version only where the
  ; person left it on (the tray's menu and Settings switch it), pointed here.
  ReadRegStr $0 HKCU "${RUNKEY}" "${PRODUCT}"
  ${If} $Upgrade == 0
  ${OrIf} $0 != ""
    WriteRegStr HKCU "${RUNKEY}" "${PRODUCT}" '"$INSTDIR\${TRAY}"'
  ${EndIf}

  Call AddToPath
  Call EnsureWebView2

  ; The tray now (it keeps tokens fresh and answers `latchkey token`).
  Exec '"$INSTDIR\${TRAY}"'
SectionEnd

; The install folder on the user's PATH (HKCU\Environment), once. This makensis holds
; at most 1024 characters in a string: a longer PATH would be cut if written back, so
; it is left alone and the person is told what to add.
Function AddToPath
  ReadRegStr $0 HKCU "Environment" "Path"
  StrLen $1 $0
  ${If} $1 >= 1000
    DetailPrint "Your PATH is too long for this installer to change: add $INSTDIR to it yourself to use `latchkey` in a terminal."
    Return
  ${EndIf}
  ; Already there (between two `;`, once the whole value is put between two).
  ${WordFind} ";$0;" ";$INSTDIR;" "E+1{" $2
  ${IfNot} ${Errors}
    Return
  ${EndIf}
  ${If} $0 == ""
    StrCpy $0 "$INSTDIR"
  ${Else}
    StrCpy $0 "$0;$INSTDIR"
  ${EndIf}
  WriteRegExpandStr HKCU "Environment" "Path" "$0"
  !insertmacro BroadcastEnvironment
FunctionEnd

; Latchkey's window needs Microsoft Edge WebView2 (Windows 10 since 1803 and Windows 11
; have it). Where it is missing, Microsoft's bootstrapper installs it; offline, the
; person is told how to get it (the app says so too), and the rest works without it.
Function EnsureWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2GUID}" "pv"
  ${If} $0 == ""
    ReadRegStr $0 HKLM "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WEBVIEW2GUID}" "pv"
  ${EndIf}
  ${If} $0 == ""
    ReadRegStr $0 HKCU "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WEBVIEW2GUID}" "pv"
  ${EndIf}
  ${If} $0 != ""
  ${AndIf} $0 != "0.0.0.0"
    Return
  ${EndIf}
  ${GetOptions} $CMDLINE "/NOWEBVIEW2" $1
  ${IfNot} ${Errors}
    DetailPrint "Microsoft Edge WebView2 is missing; not fetched (/NOWEBVIEW2)."
    Return
  ${EndIf}
  DetailPrint "Fetching Microsoft Edge WebView2, which Latchkey's window needs…"
  NSISdl::download /TIMEOUT=30000 "${WEBVIEW2BOOTSTRAPPER}" "$TEMP\MicrosoftEdgeWebview2Setup.exe"
  Pop $1
  ${If} $1 == "success"
    ExecWait '"$TEMP\MicrosoftEdgeWebview2Setup.exe" /silent /install' $2
    Delete "$TEMP\MicrosoftEdgeWebview2Setup.exe"
    ${If} $2 == 0
      Return
    ${EndIf}
  ${EndIf}
  DetailPrint "Microsoft Edge WebView2 could not be installed ($1)."
  MessageBox MB_OK|MB_ICONINFORMATION "Latchkey's window needs Microsoft Edge WebView2, which could not be fetched now.$\r$\n$\r$\nInstall the WebView2 Runtime from https://developer.microsoft.com/microsoft-edge/webview2/ (or ask your IT department). Meanwhile the tray keeps your tokens fresh and the latchkey command works." /SD IDOK
FunctionEnd

; --- uninstall ----------------------------------------------------------------------

Function un.onInit
  StrCpy $KeepData 1
FunctionEnd

Function un.ForgetPage
  !insertmacro MUI_HEADER_TEXT "Remove Latchkey" "Latchkey's programs will be removed from $INSTDIR."
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 36u "Your servers and sign-ins stay, so installing Latchkey again picks up where you left off. Tick the box to remove them too: each sign-in is revoked at its server where it allows that, and the secrets leave your Credential Manager."
  Pop $0
  ${NSD_CreateCheckbox} 0 44u 100% 12u "Also remove my servers and sign-ins"
  Pop $ForgetBox
  nsDialogs::Show
FunctionEnd

Function un.ForgetPageLeave
  ${NSD_GetState} $ForgetBox $0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $KeepData 0
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  !insertmacro StopTray
  ${If} $KeepData == 0
    DetailPrint "Removing your servers and sign-ins…"
    nsExec::ExecToLog '"$INSTDIR\${CLI}" profile remove --all'
    Pop $0
    RMDir /r "$APPDATA\Latchkey"
    RMDir /r "$LOCALAPPDATA\Latchkey"
  ${EndIf}

  ; What points here, and only if it still points here.
  ReadRegStr $0 HKCU "${SCHEMEKEY}\shell\open\command" ""
  ${If} $0 == '"$INSTDIR\${APP}" "%1"'
    DeleteRegKey HKCU "${SCHEMEKEY}"
  ${EndIf}
  ReadRegStr $0 HKCU "${RUNKEY}" "${PRODUCT}"
  ${If} $0 == '"$INSTDIR\${TRAY}"'
    DeleteRegValue HKCU "${RUNKEY}" "${PRODUCT}"
  ${EndIf}
  Call un.RemoveFromPath
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"

  ; Programs; one still running (an open window) is said, and the folder stays for it.
  Delete "$INSTDIR\uninstall.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  ${ForEach} $1 0 2 + 1
    ${Select} $1
      ${Case} 0
        StrCpy $2 "${APP}"
      ${Case} 1
        StrCpy $2 "${TRAY}"
      ${Case} 2
        StrCpy $2 "${CLI}"
    ${EndSelect}
    Delete "$INSTDIR\$2.old"
    Delete "$INSTDIR\$2"
    ${If} ${FileExists} "$INSTDIR\$2"
      DetailPrint "$2 is still running: close Latchkey's window (or the job using `latchkey`), then delete $INSTDIR."
    ${EndIf}
  ${Next}
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd

Function un.RemoveFromPath
  ReadRegStr $0 HKCU "Environment" "Path"
  StrLen $1 $0
  ${If} $1 >= 1000
    DetailPrint "Your PATH is too long for this uninstaller to change: remove $INSTDIR from it yourself."
    Return
  ${EndIf}
  ; Every place it stands (alone, first, last, between others, more than once): with the
  ; value between two `;`, each `;DIR;` becomes `;` until none is left.
  StrCpy $0 ";$0;"
  ${Do}
    StrCpy $1 $0
    ${un.WordReplace} "$0" ";$INSTDIR;" ";" "+" $0
  ${LoopUntil} $0 == $1
  ; The `;` put around it go again.
  StrCpy $0 $0 "" 1
  StrLen $1 $0
  ${If} $1 > 0
    IntOp $1 $1 - 1
    StrCpy $0 $0 $1
  ${EndIf}
  WriteRegExpandStr HKCU "Environment" "Path" "$0"
  !insertmacro BroadcastEnvironment
FunctionEnd
