; AffiliTest GUI installer: per-user, no admin rights needed.
;   makensis -DVERSION=0.1.0 -DVERSION_NUMERIC=0.1.0.0 -DSOURCE_DIR=dist\affilitest-gui
;            -DOUTFILE=dist\AffiliTest-GUI-0.1.0-setup.exe [-DSIGN_COMMAND=...] installer.nsi
; SOURCE_DIR is the PyInstaller onedir: the app and the command-line twins
; (affilitest-check, affilitest-offers), whose folder is added to the user's PATH.
; VERSION_NUMERIC is four numbers (scripts/bundle_facts.py makes it from 1.0.0rc1 too).
; SIGN_COMMAND, when given, is run on the installer and on the uninstaller ("%1" is the
; file), so that neither ships unsigned; the bundle's own executables are signed before.
;
; The user's settings (HKCU\Software\AffiliTest\AffiliTest GUI, where Qt keeps them),
; history and saved key are theirs: uninstalling keeps them unless the user ticks the
; box that says so. The installer keeps its own key.

Unicode true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef VERSION_NUMERIC
  !error "pass -DVERSION_NUMERIC=a.b.c.d (four numbers)"
!endif
!ifndef SOURCE_DIR
  !error "pass -DSOURCE_DIR=<the PyInstaller onedir>"
!endif
!ifndef OUTFILE
  !define OUTFILE "AffiliTest-GUI-${VERSION}-setup.exe"
!endif
!ifdef SIGN_COMMAND
  !finalize '${SIGN_COMMAND} "%1"'
  !uninstfinalize '${SIGN_COMMAND} "%1"'
!endif

!define APP_NAME "AffiliTest GUI"
!define COMPANY "AffiliTest"
!define EXE "affilitest-gui.exe"
!define INSTALLER_KEY "Software\${COMPANY}\${APP_NAME} Installer"
!define SETTINGS_KEY "Software\${COMPANY}\${APP_NAME}"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\AffiliTestGUI"
; Held by the running app (affilitest_gui/running_flag.py): the same name on both sides.
!define RUNNING_MUTEX "AffiliTestGUI-running"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WordFunc.nsh"
!include "WinMessages.nsh"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${INSTALLER_KEY}" "InstallDir"
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION_NUMERIC}"
VIFileVersion "${VERSION_NUMERIC}"
VIAddVersionKey "ProductName" "${APP_NAME}"
VIAddVersionKey "CompanyName" "${COMPANY}"
VIAddVersionKey "FileDescription" "${APP_NAME} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "(c) ${COMPANY}"

!define MUI_ICON "..\..\resources\icon.ico"
!define MUI_UNICON "..\..\resources\icon.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_COMPONENTSPAGE_NODESC
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; Files of a running app are locked: replacing or deleting them half-way leaves a broken
; install. Ask the user to quit it (it may be in the tray) until it is gone, or give up.
!macro WaitUntilTheAppIsClosed
  ${Do}
    System::Call 'kernel32::OpenMutexW(i 0x00100000, i 0, w "${RUNNING_MUTEX}") p .r0'
    ${If} $0 == 0
      ${ExitDo}
    ${EndIf}
    System::Call 'kernel32::CloseHandle(p r0)'
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION \
      "${APP_NAME} is running (look for its icon in the taskbar's tray too).$\r$\n$\r$\nQuit it (File > Quit), then click Retry." \
      /SD IDCANCEL IDRETRY retry
    Abort
    retry:
  ${Loop}
!macroend

Function .onInit
  !insertmacro WaitUntilTheAppIsClosed
FunctionEnd

Function un.onInit
  !insertmacro WaitUntilTheAppIsClosed
FunctionEnd

; The program folder on the user's PATH, for affilitest-check and affilitest-offers.
; NSIS strings hold NSIS_MAX_STRLEN characters: a longer PATH is left alone (rewriting
; it would cut it), and the user is told what to add.
!macro ChangeUserPath SIGN
  ReadRegStr $1 HKCU "Environment" "Path"
  StrLen $2 $1
  IntOp $3 ${NSIS_MAX_STRLEN} - 520
  ${If} $2 > $3
    DetailPrint "PATH is too long to change safely: add $INSTDIR to it by hand."
    !if "${SIGN}" == "+"
      MessageBox MB_OK|MB_ICONINFORMATION \
        "Your PATH is too long for the installer to change safely.$\r$\nTo run affilitest-check and affilitest-offers from any command prompt, add this folder to it:$\r$\n$INSTDIR" \
        /SD IDOK
    !endif
  ${Else}
    ${WordAdd} "$1" ";" "${SIGN}$INSTDIR" $4
    ${If} $4 != $1
      WriteRegExpandStr HKCU "Environment" "Path" "$4"
      SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
    ${EndIf}
  ${EndIf}
!macroend

Section "Install"
  SetOutPath "$INSTDIR"
  ; An update replaces the whole program folder; the history lives elsewhere (AppData).
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\affilitest-gui-console.exe"  ; the console twin of versions before 0.2
  File /r "${SOURCE_DIR}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\${EXE}"
  !insertmacro ChangeUserPath "+"
  WriteRegStr HKCU "${INSTALLER_KEY}" "InstallDir" "$INSTDIR"
  ; Versions before 0.2 kept the install folder among the user's settings.
  DeleteRegValue HKCU "${SETTINGS_KEY}" "InstallDir"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${COMPANY}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

; Off unless ticked: the app itself removes what it keeps (the key in Credential
; Manager, its settings, the history and logs folder), so that nothing is guessed here.
Section /o "un.Also delete my settings, check history and saved API key" UninstallUserData
  ExecWait '"$INSTDIR\${EXE}" --remove-user-data' $0
  ${If} $0 != 0
    DetailPrint "Some of your data could not be deleted (exit code $0)."
  ${EndIf}
SectionEnd

Section "-un.Program"
  Delete "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk"
  RMDir "$SMPROGRAMS\${APP_NAME}"
  !insertmacro ChangeUserPath "-"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\affilitest-gui.exe"
  Delete "$INSTDIR\affilitest-check.exe"
  Delete "$INSTDIR\affilitest-offers.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "${INSTALLER_KEY}"
SectionEnd
