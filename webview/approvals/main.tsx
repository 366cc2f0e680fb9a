/** Entry of the Approvals inbox webview (dist/webview/approvals.js). */
import { mountView } from "../shared/mount";
import { ApprovalsApp } from "./ApprovalsApp";
import "./approvals.css";

mountView("approvals", <ApprovalsApp />);
