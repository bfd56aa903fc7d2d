#!/bin/sh
# macOS: build the .app, self-test it, sign it when a Developer ID is configured, make a
# .dmg, notarize when Apple credentials are configured. Run from anywhere:
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
app="dist/AffiliTest GUI.app"
dmg="dist/AffiliTest-GUI-$version-macos-$arch.dmg"
identity=${MACOS_CODESIGN_IDENTITY:-}
export MACOS_ENTITLEMENTS="${MACOS_ENTITLEMENTS:-$root/packaging/macos/entitlements.plist}"

# Build the onedir, run the frozen self-test and the bundle checks; then the .app.
"$python" scripts/build_dist.py --no-installer
test -d "$app"
QT_QPA_PLATFORM=offscreen "$app/Contents/MacOS/affilitest-gui" \
    --self-test="dist/selftest-macos-$arch.json"

if [ -n "$identity" ]; then
    codesign --force --deep --options runtime --timestamp \
        --entitlements "$MACOS_ENTITLEMENTS" --sign "$identity" "$app"
    codesign --verify --deep --strict --verbose=2 "$app"
else
    echo "No MACOS_CODESIGN_IDENTITY: the app is not signed (Gatekeeper will warn)."
fi

staging=$(mktemp -d)
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "AffiliTest GUI $version" -srcfolder "$staging" -ov -format UDZO "$dmg"
rm -rf "$staging"
[ -n "$identity" ] && codesign --force --timestamp --sign "$identity" "$dmg"

if [ -n "$identity" ] && [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] \
        && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$dmg"
else
    echo "No Apple notarization credentials: the .dmg is not notarized."
fi
echo "built $dmg"
