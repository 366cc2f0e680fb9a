/** Entry of the Budgets webview (dist/webview/budgets.js). */
import { mountView } from "../shared/mount";
import { BudgetsApp } from "./BudgetsApp";
import "./budgets.css";

mountView("budgets", <BudgetsApp />);
