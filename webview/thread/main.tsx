/** Entry of the Thread webview (dist/webview/thread.js). */
import { isNonEmptyString, isNullable } from "../protocol";
import { mountView } from "../shared/mount";
import { UiState } from "../shared/uiState";
import { vscodeApi } from "../shared/vscodeApi";
import { ThreadApp, type ThreadPrefs } from "./ThreadApp";
import "./thread.css";

const prefs = new UiState<ThreadPrefs>(
  vscodeApi(),
  { pickedThreadId: isNullable(isNonEmptyString) },
  { pickedThreadId: null },
);
mountView("thread", <ThreadApp ui={prefs} />);
