; NSIS installer hooks (tauri.windows.conf.json): the lean tray is what runs from login,
; as the XDG autostart entry does on Linux; the app's Settings and the tray's menu switch
; it off again (HKCU\...\Run\Latchkey). Uninstalling stops the tray and removes the entry.
!macro NSIS_HOOK_POSTINSTALL
  WriteRegStr HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "Latchkey" '"$INSTDIR\latchkey-tray.exe"'
  Exec '"$INSTDIR\latchkey-tray.exe"'
!macroend

!macro NSIS_HOOK_PREUNINSTALL
  nsExec::Exec 'taskkill /IM latchkey-tray.exe'
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "Latchkey"
!macroend
