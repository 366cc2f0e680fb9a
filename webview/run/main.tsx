/** Entry of the workflow run webview (dist/webview/run.js). */
import { mountView } from "../shared/mount";
import { RunApp } from "./RunApp";
import "./run.css";

mountView("run", <RunApp />);
