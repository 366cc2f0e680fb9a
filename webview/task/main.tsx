/** Entry of the Task detail webview (dist/webview/task.js). */
import { mountView } from "../shared/mount";
import { TaskApp } from "./TaskApp";
import "./task.css";

mountView("task", <TaskApp />);
