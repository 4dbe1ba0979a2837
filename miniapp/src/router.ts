import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { ApiError, configureApi } from './api';
import { loadMe, me } from './session';

export const router = createRouter({
  history: createWebHistory('/app/'),
  routes: [
    { path: '/', redirect: '/okr' },
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue') },
    {
      path: '/okr',
      name: 'okr',
      component: () => import('./views/OkrView.vue'),
      meta: { tab: 'okr' },
    },
    {
      path: '/okr/kr/:id',
      name: 'key-result',
      component: () => import('./views/KeyResultView.vue'),
      meta: { tab: 'okr', back: true },
    },
    {
      path: '/feedback',
      name: 'feedback',
      component: () => import('./views/FeedbackView.vue'),
      meta: { tab: 'feedback' },
    },
    {
      path: '/feedback/:id',
      name: 'feedback-form',
      component: () => import('./views/FeedbackFormView.vue'),
      meta: { tab: 'feedback', back: true },
    },
    {
      path: '/learning',
      name: 'learning',
      component: () => import('./views/LearningView.vue'),
      meta: { tab: 'learning' },
    },
    {
      path: '/record',
      name: 'record',
      component: () => import('./views/RecordView.vue'),
      meta: { tab: 'record' },
    },
    {
      path: '/team',
      name: 'team',
      component: () => import('./views/TeamView.vue'),
      meta: { tab: 'team', managers: true },
    },
    { path: '/:rest(.*)*', redirect: '/okr' },
  ],
});

/** Tells whether a route is a feedback form opened by the link of its chat card. */
export function isFormLink(route: RouteLocationNormalized): boolean {
  return route.name === 'feedback-form' && typeof route.query.token === 'string';
}

configureApi({
  unauthorized: () => {
    // Before sign-in the route guard decides where to go.
    if (!me.value) return;
    me.value = null;
    const current = router.currentRoute.value;
    // A form link works without a session and shows its own error for a wrong token.
    if (current.name !== 'login' && !isFormLink(current))
      void router.replace({ name: 'login', query: { next: current.fullPath } });
  },
});

router.beforeEach(async (to) => {
  if (to.name === 'login') return true;
  if (!me.value) {
    try {
      await loadMe();
    } catch (error) {
      // Offline with no copy of the session: the login page says so.
      if (!(error instanceof ApiError)) throw error;
    }
    if (!me.value && isFormLink(to)) return true;
    if (!me.value) return { name: 'login', query: { next: to.fullPath } };
  }
  if (to.meta.managers && me.value.person.role === 'engineer') return { name: 'okr' };
  return true;
});
