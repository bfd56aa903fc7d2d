#!/bin/sh
# macOS: build the .app, check it, sign it when a Developer ID is configured, run the
# signed app's self-test on the real platform plugin, notarize and staple the .app,
# then make, sign, notarize and staple the .dmg. Run from anywhere:
#   sh packaging/macos/build_dmg.sh
# Environment (all optional): MACOS_CODESIGN_IDENTITY ("Developer ID Application: ..."),
# MACOS_ENTITLEMENTS (defaults to entitlements.plist beside this script),
# APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD (for notarytool).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
python=${PYTHON:-python3}
version=$("$python" -c "import affilitest_gui; print(affilitest_gui.__version__)")
arch=$(uname -m)
app="$root/dist/AffiliTest GUI.app"
dmg="$root/dist/AffiliTest-GUI-$version-macos-$arch.dmg"
report="$root/dist/selftest-macos-$arch.json"
identity=${MACOS_CODESIGN_IDENTITY:-}
export MACOS_ENTITLEMENTS="${MACOS_ENTITLEMENTS:-$root/packaging/macos/entitlements.plist}"
notarize=""
if [ -n "$identity" ] && [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] \
        && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    notarize=yes
fi

submit() {  # notarize one file (a .zip of the app, or the dmg), waiting for Apple's answer
    xcrun notarytool submit "$1" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" --wait
}

# The onedir and the .app, with the bundle checks (executables, Info.plist: a window,
# not background-only; the macOS the bundled Qt needs), the frozen self-test and twins.
"$python" scripts/build_dist.py --no-installer
test -d "$app"

if [ -n "$identity" ]; then
    codesign --force --deep --options runtime --timestamp \
        --entitlements "$MACOS_ENTITLEMENTS" --sign "$identity" "$app"
    codesign --verify --deep --strict --verbose=2 "$app"
else
    echo "No MACOS_CODESIGN_IDENTITY: the app is not signed (Gatekeeper will warn)."
fi

# The app as a person starts it: windowed, the cocoa platform plugin, signed and under
# the hardened runtime; keyring must choose the macOS Keychain.
env -u QT_QPA_PLATFORM "$app/Contents/MacOS/affilitest-gui" --self-test="$report"
"$python" scripts/check_selftest.py "$report"

# The command-line twins through a link, as the README tells users to make one.
links=$(mktemp -d)
ln -s "$app/Contents/MacOS/affilitest-check" "$links/affilitest-check"
ln -s "$app/Contents/MacOS/affilitest-offers" "$links/affilitest-offers"
"$links/affilitest-check" --version
"$links/affilitest-offers" --help >/dev/null
rm -rf "$links"

# Notarize and staple the .app itself: a user may copy it out of the dmg and start it
# offline. Then Gatekeeper's own assessment, as on a user's Mac.
if [ -n "$notarize" ]; then
    zip="$root/dist/notarize-$arch.zip"
    ditto -c -k --keepParent "$app" "$zip"
    submit "$zip"
    rm -f "$zip"
    xcrun stapler staple "$app"
    spctl -a -vv -t exec "$app"
else
    echo "No Apple notarization credentials: the app is not notarized (spctl would reject it)."
fi

staging=$(mktemp -d)
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "AffiliTest GUI $version" -srcfolder "$staging" -ov -format UDZO "$dmg"
rm -rf "$staging"
if [ -n "$identity" ]; then
    codesign --force --timestamp --sign "$identity" "$dmg"
fi
if [ -n "$notarize" ]; then
    submit "$dmg"
    xcrun stapler staple "$dmg"
    spctl -a -vv -t open --context context:primary-signature "$dmg"
fi
echo "built $dmg"
