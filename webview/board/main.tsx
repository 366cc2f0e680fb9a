/** Entry of the Task Board webview (dist/webview/board.js). */
import { mountView } from "../shared/mount";
import { UiState } from "../shared/uiState";
import { vscodeApi } from "../shared/vscodeApi";
import { BoardApp } from "./BoardApp";
import { BOARD_PREFS_SCHEMA, DEFAULT_BOARD_PREFS } from "./boardModel";
import { prewarmBoard } from "./firstPages";
import "./board.css";

const prefs = new UiState(vscodeApi(), BOARD_PREFS_SCHEMA, DEFAULT_BOARD_PREFS);
mountView(
  "board",
  <BoardApp ui={prefs} />,
  prewarmBoard(() => prefs.get().showCancelled),
);
