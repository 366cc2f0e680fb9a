import { vsCodeDivider } from "@vscode/webview-ui-toolkit";
import { wrap } from "./toolkit";

const VSCodeDivider = wrap(vsCodeDivider(), { name: "vscode-divider" });

export function Divider() {
  return <VSCodeDivider role="separator" />;
}
