# What only Windows can show, checked on the release runner after the installer is built
# (and signed): install it silently where a person would, then
#   - the app, both twins and the uninstaller are there (and signed, when -Signed);
#   - the install folder is on the user's PATH and the twins run from it;
#   - CSV from affilitest-check on a real Windows stdout has one CRLF per row;
#   - the windowed app passes its self-test with the real platform plugin, and keyring
#     chose Windows Credential Manager;
#   - a running app holds its mutex, and the installer waits for it instead of
#     overwriting locked files;
#   - --remove-user-data (the uninstaller's box) deletes the key, settings and history;
#   - a plain uninstall keeps the user's settings and takes the folder off PATH.
# Exits non-zero at the first thing that does not hold.
param(
    [Parameter(Mandatory = $true)][string]$Installer,
    [switch]$Signed
)
$ErrorActionPreference = "Stop"
$dir = Join-Path $env:LOCALAPPDATA "Programs\AffiliTest GUI"
$settingsKey = "HKCU:\Software\AffiliTest\AffiliTest GUI"
$data = Join-Path $env:RUNNER_TEMP "affilitest-data"
$env:AFFILITEST_DATA_DIR = $data

function Fail([string]$message) {
    Write-Host "install check: FAILED: $message"
    exit 1
}

function UserPath {
    return ((Get-ItemProperty "HKCU:\Environment").Path -split ";")
}

$run = Start-Process $Installer -ArgumentList "/S" -Wait -PassThru
if ($run.ExitCode -ne 0) { Fail "the installer exited $($run.ExitCode)" }
foreach ($exe in "affilitest-gui.exe", "affilitest-check.exe", "affilitest-offers.exe", "uninstall.exe") {
    if (-not (Test-Path "$dir\$exe")) { Fail "$exe is not in $dir" }
    if ($Signed -and (Get-AuthenticodeSignature "$dir\$exe").Status -ne "Valid") { Fail "$exe is not signed" }
}
if ($Signed -and (Get-AuthenticodeSignature $Installer).Status -ne "Valid") { Fail "the installer is not signed" }
if ((UserPath) -notcontains $dir) { Fail "$dir is not on the user's PATH" }

# The twins, found on the PATH as a new command prompt finds them.
$env:Path = ((UserPath) + ($env:Path -split ";")) -join ";"
& affilitest-check.exe --version
if ($LASTEXITCODE -ne 0) { Fail "affilitest-check --version exited $LASTEXITCODE" }
& affilitest-offers.exe --help | Out-Null
if ($LASTEXITCODE -ne 0) { Fail "affilitest-offers --help exited $LASTEXITCODE" }

# CSV through cmd's redirection (bytes as the program wrote them) against a sandbox.
$ready = Join-Path $env:RUNNER_TEMP "sandbox.json"
$sandbox = Start-Process python -ArgumentList "-m", "affilitest_gui.sandbox" -PassThru `
    -RedirectStandardOutput $ready -NoNewWindow
for ($i = 0; $i -lt 60 -and -not ((Test-Path $ready) -and (Get-Item $ready).Length -gt 0); $i++) { Start-Sleep 1 }
$line = Get-Content $ready -TotalCount 1 | ConvertFrom-Json
$env:AFFILITEST_API_KEY = $line.keys.valid
$csv = Join-Path $env:RUNNER_TEMP "checks.csv"
cmd /c "affilitest-check.exe --format csv --base-url $($line.base_url) $($line.base_url)/demo/offer/game > `"$csv`""
if ($LASTEXITCODE -ne 0) { Fail "affilitest-check --format csv exited $LASTEXITCODE" }
$bytes = [IO.File]::ReadAllText($csv)
if ($bytes.Contains("`r`r`n") -or ($bytes -split "`r`n").Count -ne 3) { Fail "the CSV's line ends are wrong" }
Stop-Process $sandbox
Remove-Item Env:AFFILITEST_API_KEY

# The windowed app, its real platform plugin, after signing.
Remove-Item Env:QT_QPA_PLATFORM -ErrorAction SilentlyContinue
$report = Join-Path (Get-Location) "dist\selftest-windows.json"
$run = Start-Process "$dir\affilitest-gui.exe" -ArgumentList "--self-test=$report" -Wait -PassThru
if ($run.ExitCode -ne 0) { Fail "the windowed self-test exited $($run.ExitCode)" }
python scripts/check_selftest.py $report
if ($LASTEXITCODE -ne 0) { Fail "the self-test report" }

# A running app: its mutex, and an installer that will not overwrite it.
$app = Start-Process "$dir\affilitest-gui.exe" -ArgumentList "--sandbox" -PassThru
$mutex = $null
for ($i = 0; $i -lt 60 -and -not [Threading.Mutex]::TryOpenExisting("AffiliTestGUI-running", [ref]$mutex); $i++) { Start-Sleep 1 }
if ($null -eq $mutex) { Fail "the running app holds no AffiliTestGUI-running mutex" }
$mutex.Dispose()
$run = Start-Process $Installer -ArgumentList "/S" -Wait -PassThru
if ($run.ExitCode -eq 0) { Fail "the installer ran over the running app" }
Stop-Process $app
Wait-Process -Id $app.Id -Timeout 30

# The uninstaller's box: the app deletes its key, settings and data folder.
python -c "import keyring; keyring.set_password('AffiliTest GUI', 'api-key', 'k' * 64)"
New-Item -Path $settingsKey -Force | Out-Null
Set-ItemProperty $settingsKey -Name "probe" -Value "to delete"
New-Item -ItemType Directory -Force "$data\logs" | Out-Null
$run = Start-Process "$dir\affilitest-gui.exe" -ArgumentList "--remove-user-data" -Wait -PassThru
if ($run.ExitCode -ne 0) { Fail "--remove-user-data exited $($run.ExitCode)" }
$left = python -c "import keyring; print(keyring.get_password('AffiliTest GUI', 'api-key'))"
if ($left -ne "None") { Fail "--remove-user-data left the key in Credential Manager" }
if ((Test-Path $data) -or (Get-ItemProperty $settingsKey -Name probe -ErrorAction SilentlyContinue)) {
    Fail "--remove-user-data left the data folder or the settings"
}

# A plain uninstall: the program goes, the user's settings stay.
New-Item -Path $settingsKey -Force | Out-Null
Set-ItemProperty $settingsKey -Name "probe" -Value "kept"
$run = Start-Process "$dir\uninstall.exe" -ArgumentList "/S", "_?=$dir" -Wait -PassThru
if ($run.ExitCode -ne 0) { Fail "the uninstaller exited $($run.ExitCode)" }
if (Test-Path "$dir\affilitest-gui.exe") { Fail "the uninstaller left the app" }
if ((Get-ItemProperty $settingsKey -Name probe).probe -ne "kept") { Fail "the uninstaller deleted the user's settings" }
if ((UserPath) -contains $dir) { Fail "the uninstaller left $dir on PATH" }
Write-Host "install check: OK"
