// The page's scripts: small modules, no build step, nothing from elsewhere.

import { initActions } from "./actions.js";
import { initCompose } from "./compose.js";
import { initPictures } from "./pictures.js";
import { initMedia } from "./media.js";
import { initTimeline } from "./timeline.js";
import { initTimes } from "./times.js";
import { initUnread } from "./unread.js";

document.documentElement.classList.add("js");
initTimes();
initCompose();
initActions();
initMedia();
initTimeline();
initUnread();
initPictures();
