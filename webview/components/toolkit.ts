/**
 * The one place the webview UI toolkit is wired to React. Components are
 * registered one by one as our wrappers wrap them (never the toolkit's
 * `react` entry, which registers all of them and costs ~200 KB per bundle).
 * The toolkit is no longer developed: swapping it out touches this folder only.
 */
import React from "react";
import { provideReactWrapper } from "@microsoft/fast-react-wrapper";
import { provideVSCodeDesignSystem } from "@vscode/webview-ui-toolkit";

export const { wrap } = provideReactWrapper(React, provideVSCodeDesignSystem());
