% findbankloc (the IEEE 802.3 COM MATLAB code rev 4.50) on random post-cursor vectors: each
% line "h0 bmaxg h(1) .. h(40) | tap numbers" (taps 13 .. 40, 3 banks of 3). OUT: the file to
% write; FN: the function (@findbankloc). See README.md.
rand('seed',7); randn('seed',7);
N=150; fid=fopen(OUT,'w');
for c=1:N
  n=40; t=(1:n)';
  kind=mod(c,4);
  h=0.3*exp(-t/(2+8*rand))+0.02*randn(n,1)*rand;
  nb=randi([1 4]);
  for b=1:nb
    p=randi([13 40]); w=1+3*rand;
    h=h+(0.1*rand-0.03)*exp(-((t-p)/w).^2);
  end
  if kind==0, h=h.*sign(randn(n,1)); end
  if kind==1, h=0.01*randn(n,1); end
  h=round(h*1e6)/1e6;
  curval=round((0.5+rand)*1e4)/1e4; bmaxg=[0.05 0.03 0.1 0.02](mod(c,4)+1);
  idx=FN(h,13,40,3,curval,bmaxg,3);
  fprintf(fid,'%.4f %.2f',curval,bmaxg); fprintf(fid,' %.6f',h); fprintf(fid,' |'); fprintf(fid,' %d',idx); fprintf(fid,'\n');
end
fclose(fid);
